import { describe, expect, it } from 'vitest';
import { formatPrice, renderTemplate, TemplateError, textTemplateProblem } from './render-template.js';

describe('renderTemplate', () => {
  it('fills {name} and {{name}} with the seven variables; missing values render empty', () => {
    const text = renderTemplate(
      'Bonjour {vendeur_nom}, votre {{ marque }} {modele} ({annee}) à {prix} à {ville} : {titre_annonce}.{vendeur_nom}',
      {
        vendeur_nom: 'Jean',
        marque: 'Peugeot',
        modele: '208',
        annee: 2019,
        prix: formatPrice(12500),
        ville: 'Lyon',
        titre_annonce: null,
      },
    );
    expect(text).toBe('Bonjour Jean, votre Peugeot 208 (2019) à 12 500 € à Lyon : .Jean');
  });

  it('refuses unknown placeholders, naming them', () => {
    expect(() => renderTemplate('Bonjour {prenom} {{km}}', {})).toThrow(TemplateError);
    expect(() => renderTemplate('Bonjour {prenom} {{km}}', {})).toThrow('unknown placeholders {prenom}, {km}');
  });

  it('formats prices the French way', () => {
    expect(formatPrice(12500)).toBe('12 500 €');
    expect(formatPrice(950)).toBe('950 €');
  });

  it('tells a blank text template or an unknown placeholder apart from a usable one', () => {
    expect([null, '', '  \n'].map(textTemplateProblem)).toEqual(['TEMPLATE_EMPTY', 'TEMPLATE_EMPTY', 'TEMPLATE_EMPTY']);
    expect(textTemplateProblem('Bonjour {prenom}')).toBe('TEMPLATE_UNKNOWN_PLACEHOLDER');
    expect(textTemplateProblem('Bonjour {vendeur_nom}')).toBeNull();
  });
});
